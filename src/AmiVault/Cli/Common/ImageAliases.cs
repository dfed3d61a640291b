using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;

namespace AmiVault.Cli.Common;

/// <summary>
/// AMI aliases: SSM parameters of data type aws:ec2:image named PREFIX/&lt;image name&gt;, which launch templates and
/// scripts resolve instead of an image ID. A stored image restored in another partition cannot keep its ID (AWS:
/// "can't be restored with its original AMI ID"), so its alias is what travels: pointing it at the restored image adds
/// a parameter version. An alias already pointing there is left alone, so a --watch pass does not add versions.
/// The server checks the value (an available image of the caller's account) and the name's characters.
/// </summary>
internal sealed class ImageAliases(IAmazonSimpleSystemsManagement ssm, string prefix)
{
    public const string DataType = "aws:ec2:image";

    /// <summary>The prefix given on the command line as the path aliases go under ("/golden/" gives "/golden").</summary>
    public static string CheckPrefix(string option, string prefix)
    {
        var path = prefix.TrimEnd('/');
        return prefix.StartsWith('/') && path.Length > 0 ? path
            : throw CliException.Usage($"{option} {prefix}: give a parameter path such as /golden (an image named web then gets the alias /golden/web).");
    }

    public string NameOf(string imageName) => $"{prefix}/{imageName}";

    /// <summary>Points the alias of the image named <paramref name="imageName"/> at <paramref name="imageId"/>.</summary>
    public async Task<AliasUpdate> PointAsync(string imageName, string imageId, string description, CancellationToken cancellationToken)
    {
        var name = NameOf(imageName);
        try
        {
            var current = (await ssm.GetParameterAsync(new GetParameterRequest { Name = name }, cancellationToken)).Parameter;
            if (current.Value == imageId)
            {
                return new AliasUpdate(name, current.Version ?? 0, Changed: false);
            }
        }
        catch (ParameterNotFoundException)
        {
            // The first version is written below.
        }

        var put = await ssm.PutParameterAsync(new PutParameterRequest
        {
            Name = name,
            Value = imageId,
            Type = ParameterType.String,
            DataType = DataType,
            Description = description,
            Overwrite = true,
        }, cancellationToken);
        return new AliasUpdate(name, put.Version ?? 0, Changed: true);
    }
}
