using System.Text;

namespace AmiVault.Iam.Policies;

/// <summary>
/// Policy variables (`${aws:username}`) in Resource elements and condition values of 2012-10-17 policies, plus the
/// escapes `${*}`, `${?}` and `${$}` for the literal characters. A variable whose key the request lacks makes the
/// value match nothing, as in AWS.
/// </summary>
internal static class PolicyVariables
{
    public static bool Contains(string text) => text.Contains("${", StringComparison.Ordinal);

    /// <summary>Refuses variables naming keys this server does not know, and unclosed ones.</summary>
    public static void Validate(string text)
    {
        foreach (var name in Names(text))
        {
            if (name is not ("*" or "?" or "$") && !ConditionKeys.IsSupported(name))
            {
                throw new MalformedPolicyException($"Policy variable ${{{name}}} is not supported.");
            }
        }
    }

    public static string? Expand(string text, RequestFacts facts)
    {
        var result = new StringBuilder(text.Length + 16);
        var at = 0;
        while (true)
        {
            var start = text.IndexOf("${", at, StringComparison.Ordinal);
            if (start < 0)
            {
                return result.Append(text, at, text.Length - at).ToString();
            }

            var end = text.IndexOf('}', start + 2);
            result.Append(text, at, start - at);
            var name = text[(start + 2)..end];
            if (name is "*" or "?" or "$")
            {
                result.Append(name);
            }
            else if (facts.Values(name) is [var single])
            {
                result.Append(single);
            }
            else
            {
                return null;
            }

            at = end + 1;
        }
    }

    private static IEnumerable<string> Names(string text)
    {
        var at = 0;
        while ((at = text.IndexOf("${", at, StringComparison.Ordinal)) >= 0)
        {
            var end = text.IndexOf('}', at + 2);
            if (end < 0)
            {
                throw new MalformedPolicyException($"Policy variable in '{text}' is not closed.");
            }

            yield return text[(at + 2)..end];
            at = end + 1;
        }
    }
}
