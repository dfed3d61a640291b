using System.CommandLine;
using AmiVault.Cli;

var root = new RootCommand("AmiVault: store machine images in S3 and restore them anywhere, with the AWS APIs.")
{
    ServeCommand.Create(),
};

return await root.Parse(args).InvokeAsync();
