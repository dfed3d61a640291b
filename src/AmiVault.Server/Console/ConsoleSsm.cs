using System.Buffers;
using System.Text.Json;
using AmiVault.Configuration;
using AmiVault.Iam;
using AmiVault.Protocols.Ssm;
using Microsoft.AspNetCore.Http;

namespace AmiVault.Console;

/// <summary>
/// The console's way to read Parameter Store (the AMI aliases an image page shows): an SSM operation run in process
/// through <see cref="SsmEndpoint.InvokeAsync"/> as the signed-in principal, authorized with the ssm: actions exactly
/// as `aws ssm` signed with its key would be; a refusal is the API's error.
/// </summary>
internal sealed class ConsoleSsm(SsmEndpoint endpoint, ServerContext server, TimeProvider time)
{
    public async Task<JsonElement> CallAsync(ConsoleSession session, HttpContext browser, string operation, object request)
    {
        var context = new DefaultHttpContext { RequestAborted = browser.RequestAborted };
        context.Connection.RemoteIpAddress = browser.Connection.RemoteIpAddress;
        context.Request.Scheme = browser.Request.Scheme;
        Action<Utf8JsonWriter> answer;
        try
        {
            answer = await endpoint.InvokeAsync(context, operation, SsmRequest.Parse(JsonSerializer.SerializeToUtf8Bytes(request)), session.Identity("ssm", server.Region, time.GetUtcNow()));
        }
        catch (SsmException e)
        {
            throw new ConsoleRefusal(e.Type, e.Message);
        }
        catch (AccessDeniedException e)
        {
            throw new ConsoleRefusal("AccessDeniedException", e.Message);
        }

        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            answer(json);
            json.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }
}
