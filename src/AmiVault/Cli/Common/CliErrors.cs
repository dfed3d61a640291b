using System.Net.Sockets;
using AmiVault.Archive;
using AmiVault.Client;
using AmiVault.ObjectStore;
using AmiVault.Transfers;
using Amazon.Runtime;

namespace AmiVault.Cli.Common;

/// <summary>Turns what a command threw into one line that says what happened and what to do, and an exit code.</summary>
internal static class CliErrors
{
    public static (int Code, string Message) Describe(Exception e, bool cancelled)
    {
        if (e is AggregateException { InnerExceptions.Count: > 0 } aggregate)
        {
            e = aggregate.InnerExceptions[0];
        }

        if (cancelled && e is OperationCanceledException)
        {
            return (ExitCodes.Interrupted, "Interrupted.");
        }

        if (e is CliException cli)
        {
            // Explains itself, whatever it wraps (a server that cannot bind its port wraps a SocketException too).
            return (cli.ExitCode, cli.Message);
        }

        if (Unreachable(e) is { } network)
        {
            return (ExitCodes.Failure, $"Could not reach the endpoint: {Sentence(network.Message)} Is the server running, and are the endpoint URL and region right?");
        }

        return e switch
        {
            ArchiveFormatException archive => (ExitCodes.VerificationFailed, archive.Message),
            CopyVerificationException copy => (ExitCodes.VerificationFailed, copy.Message),
            ObjectStoreException s3 => (ExitCodes.ServiceError, $"S3 said {s3.Code}{(s3.Resource is null ? "" : $" ({s3.Resource})")}: {WithHint(s3.Message, s3.Code)}"),
            EbsServiceException ebs => (ExitCodes.ServiceError, $"EBS said {ebs.ErrorType}{(ebs.Reason is null ? "" : $" ({ebs.Reason})")}: {WithHint(ebs.ServiceMessage, ebs.ErrorType)}"),
            AmazonServiceException aws => (ExitCodes.ServiceError, $"{Service(aws)} said {aws.ErrorCode}: {WithHint(aws.Message, aws.ErrorCode ?? "")}"),
            TimeoutException timeout => (ExitCodes.Failure, $"{Sentence(timeout.Message)} The endpoint is too slow or unreachable; try again, or lower --parallel."),
            UnauthorizedAccessException denied => (ExitCodes.Failure, $"{Sentence(denied.Message)} Check the permissions of the file or folder."),
            IOException or InvalidDataException => (ExitCodes.Failure, e.Message),
            ArgumentException argument => (ExitCodes.Usage, argument.Message),
            OperationCanceledException => (ExitCodes.Failure, "A request was cancelled before it finished (a timeout)."),
            _ => (ExitCodes.Failure, $"Unexpected {e.GetType().Name}: {Sentence(e.Message)} Run again with --debug for the details, and report it if it persists."),
        };
    }

    private static Exception? Unreachable(Exception e)
    {
        for (var current = e; current is not null; current = current.InnerException)
        {
            if (current is HttpRequestException { StatusCode: null } or SocketException)
            {
                return current;
            }

            if (current is ObjectStoreException { Code: "ServiceUnavailable", InnerException: HttpRequestException inner })
            {
                return inner;
            }
        }

        return null;
    }

    /// <summary>A message that another sentence follows: system messages ("Address already in use") have no full stop.</summary>
    private static string Sentence(string message)
    {
        var trimmed = message.TrimEnd();
        return trimmed.Length == 0 || trimmed[^1] is '.' or '!' or '?' ? trimmed : trimmed + ".";
    }

    private static string Service(AmazonServiceException e) => e.GetType().Namespace?.Split('.').ElementAtOrDefault(1) ?? "The service";

    private static string WithHint(string message, string code) => Hint(code) is { Length: > 0 } hint ? Sentence(message) + hint : message;

    private static string Hint(string code) => code switch
    {
        "NoSuchBucket" => " Create the bucket (`aws s3 mb s3://NAME`), or check its name and the endpoint.",
        "NoSuchKey" or "NotFound" => " Check the key, and that the endpoint and region are the ones holding the object.",
        "AccessDenied" or "AccessDeniedException" or "UnauthorizedOperation" =>
            " The credentials are valid but not allowed to do this: check the profile, or the bucket's owner.",
        "InvalidAccessKeyId" or "SignatureDoesNotMatch" or "AuthFailure" or "InvalidClientTokenId" or "UnrecognizedClientException" =>
            " The endpoint does not accept these credentials: check the profile or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, and the region.",
        "ResourceNotFoundException" or "InvalidSnapshot.NotFound" => " Check the snapshot ID, and that the endpoint and region are the ones holding it.",
        "PreconditionFailed" => " The object changed while it was being read; run the command again.",
        _ => "",
    };
}
