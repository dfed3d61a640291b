using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace AmiVault.Protocols.Query;

/// <summary>
/// The parameters of an AWS Query request: the query string and, for a POST, the form body, bounded in size and
/// count. A parameter given twice is refused: taking either value would be a guess.
/// </summary>
internal static class FormParameters
{
    public static async Task<Dictionary<string, string>> ReadAsync(HttpRequest request, int maxBody, int maxParameters, Func<string, Exception> invalid)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, values) in request.Query)
        {
            Add(parameters, key, values, invalid);
        }

        if (HttpMethods.IsPost(request.Method))
        {
            using var body = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
            {
                if (body.Length + read > maxBody)
                {
                    throw invalid($"The request body is larger than {maxBody} bytes.");
                }

                body.Write(chunk, 0, read);
            }

            foreach (var (key, values) in QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body.GetBuffer(), 0, (int)body.Length)))
            {
                Add(parameters, key, values, invalid);
            }
        }

        return parameters.Count > maxParameters
            ? throw invalid($"A request may carry at most {maxParameters} parameters.")
            : parameters;
    }

    private static void Add(Dictionary<string, string> parameters, string key, Microsoft.Extensions.Primitives.StringValues values, Func<string, Exception> invalid)
    {
        if (values.Count != 1 || !parameters.TryAdd(key, values[0] ?? ""))
        {
            throw invalid($"The parameter {key} is given more than once.");
        }
    }
}
