using System.Globalization;
using System.Xml.Linq;
using AmiVault.Auth;
using AmiVault.Iam;
using AmiVault.Protocols.Ec2;
using Microsoft.AspNetCore.Http;
using AmiVault.Configuration;

namespace AmiVault.Console;

/// <summary>
/// The console's only way to read or change images, snapshots and tasks: an EC2 Query action run in process through
/// <see cref="Ec2Endpoint.InvokeAsync"/>, as the signed-in principal (root or IAM user), exactly as a request signed
/// with its key by the AWS CLI is run. Validation, ownership and authorization (the Authorizer inside the endpoint,
/// with the browser's address for aws:SourceIp) are the API's own, and a refusal is the API's error.
/// </summary>
internal sealed class ConsoleEc2(Ec2Endpoint endpoint, ServerContext server, TimeProvider time)
{
    private static readonly XNamespace Ns = Ec2Xml.Namespace;

    public async Task<XElement> CallAsync(ConsoleSession session, HttpContext browser, string action, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var all = new Dictionary<string, string>(StringComparer.Ordinal) { ["Action"] = action };
        foreach (var (name, value) in parameters)
        {
            all[name] = value;
        }

        using var answer = new MemoryStream();
        var context = new DefaultHttpContext { RequestAborted = browser.RequestAborted };
        context.Connection.RemoteIpAddress = browser.Connection.RemoteIpAddress;
        context.Request.Scheme = browser.Request.Scheme;
        context.Response.Body = answer;
        try
        {
            await endpoint.InvokeAsync(context, all, session.Identity("ec2", server.Region, time.GetUtcNow()), Guid.NewGuid().ToString());
        }
        catch (Ec2Exception e)
        {
            throw new ConsoleRefusal(e.Code, e.Message);
        }
        catch (AccessDeniedException e)
        {
            throw new ConsoleRefusal("UnauthorizedOperation", e.Message);
        }

        answer.Position = 0;
        return XElement.Load(answer);
    }

    public static XElement? Child(XElement element, string name) => element.Element(Ns + name);

    public static string? Text(XElement element, string name) => element.Element(Ns + name)?.Value;

    public static IEnumerable<XElement> Items(XElement element, string setName) =>
        element.Element(Ns + setName)?.Elements(Ns + "item") ?? [];

    public static List<KeyValuePair<string, string>> Tags(XElement element) =>
        [.. Items(element, "tagSet").Select(t => KeyValuePair.Create(Text(t, "key") ?? "", Text(t, "value") ?? ""))];

    public static DateTimeOffset? Time(XElement element, string name) =>
        DateTimeOffset.TryParse(Text(element, name), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;

    public static long Long(XElement element, string name) =>
        long.TryParse(Text(element, name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : 0;
}
