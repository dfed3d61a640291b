namespace AmiVault.Cli.Common;

/// <summary>
/// The AWS shared config and credentials files, read as the AWS CLI reads them: `~/.aws/config` (or
/// AWS_CONFIG_FILE) with sections `[default]`, `[profile NAME]` and `[services NAME]`, and `~/.aws/credentials` (or
/// AWS_SHARED_CREDENTIALS_FILE) with sections `[NAME]`, whose values win over the config file's. An indented line
/// continues the setting above it (`s3 =` then `  endpoint_url = …`) and is kept as `s3.endpoint_url`.
/// </summary>
internal sealed class AwsConfigFiles
{
    private readonly Dictionary<string, Dictionary<string, string>> _credentials;
    private readonly Dictionary<string, Dictionary<string, string>> _config;

    private AwsConfigFiles(string credentialsPath, string configPath)
    {
        CredentialsPath = credentialsPath;
        ConfigPath = configPath;
        _credentials = Parse(credentialsPath, s => s);
        _config = Parse(configPath, s => s == "default" ? "profile default" : s);
    }

    public string CredentialsPath { get; }

    public string ConfigPath { get; }

    public static AwsConfigFiles Load(CliHost host)
    {
        var aws = Path.Combine(host.HomeDirectory, ".aws");
        return new AwsConfigFiles(
            ExpandHome(host.NonEmpty("AWS_SHARED_CREDENTIALS_FILE"), host) ?? Path.Combine(aws, "credentials"),
            ExpandHome(host.NonEmpty("AWS_CONFIG_FILE"), host) ?? Path.Combine(aws, "config"));
    }

    public bool HasProfile(string profile) => _credentials.ContainsKey(profile) || _config.ContainsKey("profile " + profile);

    /// <summary>A profile's setting: the credentials file first, then the config file.</summary>
    public string? Get(string profile, string key) =>
        _credentials.GetValueOrDefault(profile)?.GetValueOrDefault(key) ?? _config.GetValueOrDefault("profile " + profile)?.GetValueOrDefault(key);

    /// <summary>A setting of a `[services NAME]` section, e.g. ("dev", "s3.endpoint_url").</summary>
    public string? Service(string section, string key) => _config.GetValueOrDefault("services " + section)?.GetValueOrDefault(key);

    private static string? ExpandHome(string? path, CliHost host) =>
        path is not null && path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(host.HomeDirectory, path[2..]) : path;

    private static Dictionary<string, Dictionary<string, string>> Parse(string path, Func<string, string> sectionName)
    {
        var sections = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return sections;
        }

        Dictionary<string, string>? current = null;
        string? parent = null;
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.TrimEnd();
            var trimmed = line.TrimStart();
            if (trimmed.Length == 0 || trimmed[0] is '#' or ';')
            {
                continue;
            }

            if (trimmed[0] == '[' && trimmed.EndsWith(']'))
            {
                var name = string.Join(' ', trimmed[1..^1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
                current = sections.TryGetValue(sectionName(name), out var existing) ? existing : sections[sectionName(name)] = new(StringComparer.OrdinalIgnoreCase);
                parent = null;
                continue;
            }

            var eq = trimmed.IndexOf('=', StringComparison.Ordinal);
            if (current is null || eq <= 0)
            {
                continue;
            }

            var key = trimmed[..eq].Trim();
            var value = trimmed[(eq + 1)..].Trim();
            if (line.Length > trimmed.Length && parent is not null)
            {
                current[parent + "." + key] = value;
            }
            else if (value.Length == 0)
            {
                parent = key;
            }
            else
            {
                current[key] = value;
                parent = null;
            }
        }

        return sections;
    }
}
