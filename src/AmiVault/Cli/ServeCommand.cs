using System.CommandLine;
using AmiVault.Cli.Common;
using AmiVault.Configuration;
using AmiVault.Hosting;

namespace AmiVault.Cli;

/// <summary>`amivault serve`: runs the server in the foreground until Ctrl-C.</summary>
internal static class ServeCommand
{
    public static Command Create(CliRunner runner)
    {
        var port = new Option<int?>("--port") { Description = $"Port to listen on (default {AmiVaultOptions.DefaultPort})." };
        var listen = new Option<string?>("--listen") { Description = "Address to listen on (default 127.0.0.1)." };
        var dataDir = new Option<string?>("--data-dir") { Description = $"Data folder (default {AmiVaultOptions.DefaultDataDir()})." };
        var region = new Option<string?>("--region") { Description = "Region this server is (default us-east-1)." };
        var partition = new Option<string?>("--partition") { Description = "Partition (default: from the region: aws, aws-us-gov, aws-cn)." };
        var config = new Option<string?>("--config") { Description = "JSON config file (see README)." };
        var tlsCert = new Option<string?>("--tls-cert") { Description = "Serve HTTPS with this certificate (PEM file; with --tls-key)." };
        var tlsKey = new Option<string?>("--tls-key") { Description = "The certificate's private key (PEM file)." };
        var allowInsecure = new Option<bool>("--allow-insecure-listen") { Description = "Listen off loopback without TLS (only behind a TLS-terminating proxy)." };

        var command = new Command("serve", "Run the AmiVault server (EC2, EBS direct and S3 APIs on one port).")
        {
            port, listen, dataDir, region, partition, config, tlsCert, tlsKey, allowInsecure,
        };
        runner.SetAction(command, async context =>
        {
            var parse = context.Parse;
            var cancellationToken = context.CancellationToken;
            var output = context.Host.Out;
            AmiVaultOptions options;
            AmiVaultServer server;
            try
            {
                options = OptionsLoader.Load(parse.GetValue(config), new Dictionary<string, string?>
                {
                    ["Port"] = parse.GetValue(port)?.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["Listen"] = parse.GetValue(listen),
                    ["DataDir"] = parse.GetValue(dataDir),
                    ["Region"] = parse.GetValue(region),
                    ["Partition"] = parse.GetValue(partition),
                    ["Tls:CertificateFile"] = parse.GetValue(tlsCert),
                    ["Tls:KeyFile"] = parse.GetValue(tlsKey),
                    ["AllowInsecureListen"] = parse.GetValue(allowInsecure) ? "true" : null,
                });
                server = await AmiVaultServer.StartAsync(options, cancellationToken: cancellationToken);
            }
            catch (InvalidOperationException e)
            {
                // The configuration's own checks (a bad port or region, keys that must not be exposed).
                throw CliException.Configuration(e.Message);
            }
            catch (ServerStartException e)
            {
                // The data folder or the port is taken: what the server could not do, not a client's "is it running?".
                throw new CliException(ExitCodes.Failure, e.Message, e);
            }

            await using var running = server;
            output.WriteLine($"AmiVault listening on {server.Endpoint} (region {options.Region}, partition {options.EffectivePartition}, data in {options.DataDir})");
            output.WriteLine($"Web console: {server.Endpoint.ToString().TrimEnd('/')}/console/ (sign in with an access key id and secret access key)");
            if (server.GeneratedAccount)
            {
                var account = server.Accounts.All.Single();
                output.WriteLine("Development account (generated; set AMIVAULT_ACCOUNT_ID/AMIVAULT_ACCESS_KEY_ID/AMIVAULT_SECRET_ACCESS_KEY to choose your own):");
                output.WriteLine($"  export AWS_ACCESS_KEY_ID={account.AccessKeyId}");
                output.WriteLine($"  export AWS_SECRET_ACCESS_KEY={account.SecretAccessKey}");
                output.WriteLine($"  export AWS_DEFAULT_REGION={options.Region}");
                output.WriteLine($"  # account id {account.Id}; use --endpoint-url {server.Endpoint.ToString().TrimEnd('/')}{(options.Tls.Enabled ? " --ca-bundle " + options.Tls.CertificateFile + " (when the certificate is self-signed)" : "")}");
            }

            // Ends on Ctrl-C or SIGTERM, whichever of the host and the command line sees the signal first.
            await server.WaitForShutdownAsync(cancellationToken);
            output.WriteLine("Shutting down.");
            return ExitCodes.Success;
        });
        return command;
    }
}
