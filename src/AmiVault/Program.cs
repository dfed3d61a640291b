using AmiVault.Cli;
using AmiVault.Cli.Common;

return await CliApplication.RunAsync(args, CliHost.FromProcess());
