using System.Diagnostics;
using AmiVault.Accounts;

namespace AmiVault.Tests.Support;

/// <summary>
/// Runs a Python snippet against a test server with boto3 (/usr/bin/python3, Debian's python3-boto3), so botocore's
/// own serializer and parser judge the wire format. The snippet gets `ec2`, `s3` and `ssm` (clients for the account, no
/// retries; S3 path-style), `raw(params)` (a SigV4-signed form POST of arbitrary parameters, bytes or a dict,
/// returning (status, body)), `signed_head(method, path, service, headers)` (the bytes of a signed HTTP/1.1 request
/// head, for tests that speak HTTP on a socket of their own) and `json`; whatever
/// it prints is returned. A failing snippet fails the test with its stderr.
/// </summary>
internal static class Boto3
{
    private const string Prelude = """
        import json, os, sys
        import boto3, botocore.auth, botocore.awsrequest, botocore.config, botocore.credentials, urllib.request, urllib.error
        _endpoint = os.environ["AMIVAULT_ENDPOINT"]
        _region = os.environ["AMIVAULT_REGION"]
        _credentials = botocore.credentials.Credentials(os.environ["AMIVAULT_KEY"], os.environ["AMIVAULT_SECRET"])
        ec2 = boto3.client("ec2", endpoint_url=_endpoint, region_name=_region,
            aws_access_key_id=_credentials.access_key, aws_secret_access_key=_credentials.secret_key,
            config=botocore.config.Config(retries={"max_attempts": 1}))
        s3 = boto3.client("s3", endpoint_url=_endpoint, region_name=_region,
            aws_access_key_id=_credentials.access_key, aws_secret_access_key=_credentials.secret_key,
            config=botocore.config.Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"}))
        ssm = boto3.client("ssm", endpoint_url=_endpoint, region_name=_region,
            aws_access_key_id=_credentials.access_key, aws_secret_access_key=_credentials.secret_key,
            config=botocore.config.Config(retries={"max_attempts": 1}))
        def raw(params):
            request = botocore.awsrequest.AWSRequest(method="POST", url=_endpoint + "/", data=params,
                headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
            botocore.auth.SigV4Auth(_credentials, "ec2", _region).add_auth(request)
            prepared = request.prepare()
            body = prepared.body.encode() if isinstance(prepared.body, str) else prepared.body
            try:
                with urllib.request.urlopen(urllib.request.Request(prepared.url, data=body, headers=dict(prepared.headers), method="POST")) as response:
                    return response.status, response.read().decode()
            except urllib.error.HTTPError as e:
                return e.code, e.read().decode()
        def signed_head(method, path, service, headers):
            request = botocore.awsrequest.AWSRequest(method=method, url=_endpoint + path, headers=headers)
            (botocore.auth.S3SigV4Auth if service == "s3" else botocore.auth.SigV4Auth)(_credentials, service, _region).add_auth(request)
            host = _endpoint.split("://", 1)[1]
            lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"] + [f"{k}: {v}" for k, v in request.prepare().headers.items() if k.lower() != "host"]
            return ("\r\n".join(lines) + "\r\n\r\n").encode()

        """;

    public static Task<string> RunAsync(TestServer server, Account account, string script) =>
        RunAsync(server.EndpointUrl, server.Region, account, script);

    public static async Task<string> RunAsync(string endpointUrl, string region, Account account, string script)
    {
        var start = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["AMIVAULT_ENDPOINT"] = endpointUrl,
                ["AMIVAULT_REGION"] = region,
                ["AMIVAULT_KEY"] = account.AccessKeyId,
                ["AMIVAULT_SECRET"] = account.SecretAccessKey,
                ["PYTHONDONTWRITEBYTECODE"] = "1",
            },
        };
        start.ArgumentList.Add("-");
        using var python = Process.Start(start) ?? throw new InvalidOperationException("/usr/bin/python3 did not start.");
        await python.StandardInput.WriteAsync(Prelude + script);
        python.StandardInput.Close();
        var stdout = python.StandardOutput.ReadToEndAsync();
        var stderr = python.StandardError.ReadToEndAsync();
        await python.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(python.ExitCode == 0, $"python exited with {python.ExitCode}:\n{await stderr}");
        return (await stdout).Trim();
    }
}
