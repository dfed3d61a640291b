using System.Text.Json;
using AmiVault.Tests.Support;

namespace AmiVault.Tests.S3;

/// <summary>
/// A request answered before its body was read must leave the connection able to carry the next request: the body is
/// drained when it is small and known to be coming, and otherwise the answer says `Connection: close`.
/// </summary>
public sealed class ConnectionFramingTests
{
    /// <summary>Python: speaks HTTP/1.1 on one socket, so the test sees what a keep-alive client's next request meets.</summary>
    private const string OneConnection = """
        import socket, time
        host, port = _endpoint.split("://")[1].split(":")
        def connect():
            sock = socket.create_connection((host, int(port)))
            sock.settimeout(5)
            return sock
        def answer(sock):
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = sock.recv(65536)
                if not chunk:
                    return None
                data += chunk
            head, rest = data.split(b"\r\n\r\n", 1)
            lines = head.decode().split("\r\n")
            headers = {k.lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}
            length = int(headers.get("content-length", "0"))
            while len(rest) < length:
                rest += sock.recv(65536)
            return {"status": int(lines[0].split(" ")[1]), "connection": headers.get("connection"), "body": rest[:length].decode()}
        listing = lambda: signed_head("GET", "/framing", "s3", {"x-amz-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"})
        s3 = boto3.client("s3", endpoint_url=_endpoint, region_name=_region, aws_access_key_id=_credentials.access_key,
            aws_secret_access_key=_credentials.secret_key, config=botocore.config.Config(retries={"max_attempts": 1}))
        s3.create_bucket(Bucket="framing")

        """;

    [Fact]
    public async Task Boto3_keeps_working_after_a_put_to_a_missing_bucket()
    {
        await using var server = await TestServer.StartAsync();
        var output = await Boto3.RunAsync(server, TestServer.Alice, OneConnection + """
            import io
            outcomes = []
            try:
                # A file-like body: botocore sends Expect: 100-continue and no body once it has the answer.
                s3.put_object(Bucket="no-such-bucket", Key="k", Body=io.BytesIO(b"x" * 200000))
            except botocore.exceptions.ClientError as e:
                outcomes.append(e.response["Error"]["Code"])
            for i in range(100):
                try:
                    if i % 2 == 0:
                        s3.put_object(Bucket="framing", Key=f"k{i}", Body=io.BytesIO(f"body {i}".encode()))
                        outcomes.append(s3.get_object(Bucket="framing", Key=f"k{i}")["Body"].read().decode())
                    else:
                        outcomes.append(str(s3.list_objects_v2(Bucket="framing")["KeyCount"]))
                except Exception as e:
                    outcomes.append(f"{type(e).__name__}: {e}")
            print(json.dumps(outcomes))
            """);

        var outcomes = JsonSerializer.Deserialize<List<string>>(output)!;
        Assert.Equal("NoSuchBucket", outcomes[0]);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(i % 2 == 0 ? $"body {i}" : $"{(i + 1) / 2}", outcomes[i + 1]);
        }
    }

    [Fact]
    public async Task An_answer_before_100_continue_closes_the_connection_so_the_next_request_is_never_read_as_body()
    {
        await using var server = await TestServer.StartAsync();
        var output = await Boto3.RunAsync(server, TestServer.Alice, OneConnection + """
            results = {}
            expect = {"Content-Length": "5000", "x-amz-content-sha256": "UNSIGNED-PAYLOAD", "Expect": "100-continue"}
            for name, head in [("missing bucket", signed_head("PUT", "/no-such-bucket/k", "s3", expect)),
                               ("bad signature", signed_head("PUT", "/framing/k", "s3", expect).replace(b"Signature=", b"Signature=00")),
                               ("ebs", signed_head("PUT", "/snapshots/snap-0123456789abcdef0/blocks/0", "ebs", dict(expect, **{"Content-Length": "524288",
                                   "x-amz-Data-Length": "524288", "x-amz-Checksum": "AAAA", "x-amz-Checksum-Algorithm": "SHA256"})))]:
                sock = connect()
                sock.sendall(head)
                first = answer(sock)
                # As boto3 does: no body after a final answer. A client that went on using the connection anyway
                # must never get this request answered as something else; the server ends the connection (after
                # Kestrel's few seconds of draining) instead of waiting for a body forever.
                sock.settimeout(20)
                try:
                    sock.sendall(listing())
                    second = "closed" if answer(sock) is None else "answered"
                except socket.timeout:
                    second = "no answer"
                except ConnectionError:
                    second = "closed"
                results[name] = {"status": first["status"], "connection": first["connection"], "then": second}
                sock.close()
            print(json.dumps(results))
            """);

        using var json = JsonDocument.Parse(output);
        foreach (var result in json.RootElement.EnumerateObject())
        {
            Assert.True(result.Value.GetProperty("status").GetInt32() >= 400, result.Name);
            Assert.Equal("close", result.Value.GetProperty("connection").GetString());
            // The next request meets a closed connection, not a server that reads it as the body it waits for.
            Assert.Equal("closed", result.Value.GetProperty("then").GetString());
        }
    }

    [Fact]
    public async Task A_small_unread_body_is_drained_and_the_connection_serves_the_next_request()
    {
        await using var server = await TestServer.StartAsync();
        var output = await Boto3.RunAsync(server, TestServer.Alice, OneConnection + """
            sock = connect()
            body = b"x" * 5000
            sock.sendall(signed_head("PUT", "/no-such-bucket/k", "s3", {"Content-Length": str(len(body)), "x-amz-content-sha256": "UNSIGNED-PAYLOAD"}) + body)
            first = answer(sock)
            sock.sendall(listing())
            second = answer(sock)
            print(json.dumps({"first": first, "second": second}))
            """);

        using var json = JsonDocument.Parse(output);
        Assert.Equal(404, json.RootElement.GetProperty("first").GetProperty("status").GetInt32());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("first").GetProperty("connection").ValueKind);
        Assert.Equal(200, json.RootElement.GetProperty("second").GetProperty("status").GetInt32());
        Assert.Contains("<Name>framing</Name>", json.RootElement.GetProperty("second").GetProperty("body").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("s3")]
    [InlineData("ec2")]
    public async Task A_huge_declared_body_is_refused_at_once_without_waiting_for_it_and_the_connection_closed(string service)
    {
        await using var server = await TestServer.StartAsync();
        var output = await Boto3.RunAsync(server, TestServer.Alice, OneConnection + $$"""
            service = "{{service}}"
            headers = {"Content-Length": "100000000", "x-amz-content-sha256": "UNSIGNED-PAYLOAD"}
            if service == "ec2":
                head = signed_head("POST", "/", "ec2", dict(headers, **{"Content-Type": "application/x-www-form-urlencoded"})) + b"Action=DescribeImages&Version=2016-11-15"
            else:
                head = signed_head("PUT", "/no-such-bucket/k", "s3", headers) + b"x" * 100
            sock = connect()
            started = time.monotonic()
            sock.sendall(head)
            first = answer(sock)
            print(json.dumps({"answer": first, "seconds": time.monotonic() - started}))
            """);

        using var json = JsonDocument.Parse(output);
        var answer = json.RootElement.GetProperty("answer");
        Assert.Equal(service == "ec2" ? 400 : 404, answer.GetProperty("status").GetInt32());
        Assert.Contains(service == "ec2" ? "<Code>InvalidParameterValue</Code>" : "<Code>NoSuchBucket</Code>", answer.GetProperty("body").GetString(), StringComparison.Ordinal);
        Assert.Equal("close", answer.GetProperty("connection").GetString());
    }
}
