using System.Text.Json;

namespace AmiVault.Iam.Policies;

/// <summary>
/// Parses and validates a policy document as IAM does when it is put: every element is checked against what this
/// server can evaluate, and anything else (an unknown element, operator, condition key, principal type, a bad ARN
/// or value) is refused with a message naming it, never silently ignored.
/// </summary>
internal static class PolicyParser
{
    /// <summary>IAM's largest document (a managed policy is 6,144 characters); far above it is never a policy.</summary>
    public const int MaxLength = 131_072;

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 16, CommentHandling = JsonCommentHandling.Disallow };

    private static readonly HashSet<string> StatementFields = new(StringComparer.Ordinal)
    {
        "Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition",
    };

    public static PolicyDocument Parse(string text, PolicyKind kind)
    {
        if (text.Length > MaxLength)
        {
            throw new MalformedPolicyException($"The policy is larger than {MaxLength} characters.");
        }

        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(text, Options);
        }
        catch (JsonException e)
        {
            throw new MalformedPolicyException($"Syntax errors in policy: {e.Message}");
        }

        using (json)
        {
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new MalformedPolicyException("The policy must be a JSON object.");
            }

            var version = "2008-10-17";
            JsonElement? statements = null;
            foreach (var field in root.EnumerateObject())
            {
                switch (field.Name)
                {
                    case "Version":
                        version = field.Value.ValueKind == JsonValueKind.String ? field.Value.GetString()! : "";
                        if (version is not ("2012-10-17" or "2008-10-17"))
                        {
                            throw new MalformedPolicyException("The policy must contain a valid version string (2012-10-17 or 2008-10-17).");
                        }

                        break;
                    case "Id":
                        break;
                    case "Statement":
                        statements = field.Value;
                        break;
                    default:
                        throw new MalformedPolicyException($"Policy document has an unknown field: {field.Name}.");
                }
            }

            if (statements is not { } list)
            {
                throw new MalformedPolicyException("Missing required field Statement.");
            }

            var variables = version == PolicyDocument.CurrentVersion;
            var parsed = list.ValueKind switch
            {
                JsonValueKind.Object => [ParseStatement(list, kind, variables)],
                JsonValueKind.Array => list.EnumerateArray().Select(s => ParseStatement(s, kind, variables)).ToList(),
                _ => throw new MalformedPolicyException("Statement must be an object or a list of objects."),
            };
            if (parsed.Count == 0)
            {
                throw new MalformedPolicyException("Statement must not be empty.");
            }

            return new PolicyDocument(version, kind, parsed);
        }
    }

    private static PolicyStatement ParseStatement(JsonElement statement, PolicyKind kind, bool variables)
    {
        if (statement.ValueKind != JsonValueKind.Object)
        {
            throw new MalformedPolicyException("Each statement must be a JSON object.");
        }

        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var field in statement.EnumerateObject())
        {
            if (!StatementFields.Contains(field.Name))
            {
                throw new MalformedPolicyException($"Statement has an unknown or unsupported field: {field.Name}.");
            }

            fields[field.Name] = field.Value;
        }

        var sid = fields.TryGetValue("Sid", out var sidValue) ? RequireString(sidValue, "Sid") : null;
        var effect = fields.TryGetValue("Effect", out var effectValue) ? RequireString(effectValue, "Effect") : null;
        var parsedEffect = effect switch
        {
            "Allow" => PolicyEffect.Allow,
            "Deny" => PolicyEffect.Deny,
            null => throw new MalformedPolicyException("Missing required field Effect."),
            _ => throw new MalformedPolicyException($"Invalid effect: {effect}."),
        };

        var (actions, notAction) = OneOf(fields, "Action", "NotAction", required: true);
        foreach (var action in actions!)
        {
            ValidateAction(action, kind);
        }

        var (resources, notResource) = OneOf(fields, "Resource", "NotResource", required: kind != PolicyKind.Trust);
        if (kind == PolicyKind.Trust && resources is not null)
        {
            throw new MalformedPolicyException("Has prohibited field Resource: a trust policy applies to its role.");
        }

        var resourceVariables = false;
        foreach (var resource in resources ?? [])
        {
            if (resource != "*" && !Arn.IsArn(resource))
            {
                throw new MalformedPolicyException($"Resource {resource} must be in ARN format or \"*\".");
            }

            if (variables && PolicyVariables.Contains(resource))
            {
                PolicyVariables.Validate(resource);
                resourceVariables = true;
            }
        }

        var hasPrincipal = fields.ContainsKey("Principal");
        var hasNotPrincipal = fields.ContainsKey("NotPrincipal");
        if (kind == PolicyKind.Identity && (hasPrincipal || hasNotPrincipal))
        {
            throw new MalformedPolicyException("Has prohibited field Principal: an identity policy applies to whom it is attached to.");
        }

        if (kind != PolicyKind.Identity && hasPrincipal == hasNotPrincipal)
        {
            throw new MalformedPolicyException("Missing required field Principal (exactly one of Principal and NotPrincipal).");
        }

        var principals = kind == PolicyKind.Identity ? null : ParsePrincipals(fields[hasPrincipal ? "Principal" : "NotPrincipal"]);
        var conditions = fields.TryGetValue("Condition", out var condition) ? ParseConditions(condition, variables) : [];

        return new PolicyStatement
        {
            Sid = sid,
            Effect = parsedEffect,
            Actions = actions,
            NotAction = notAction,
            Resources = resources,
            NotResource = notResource,
            ResourceVariables = resourceVariables,
            Principals = principals,
            NotPrincipal = hasNotPrincipal,
            Conditions = conditions,
        };
    }

    private static (IReadOnlyList<string>? Values, bool Negated) OneOf(Dictionary<string, JsonElement> fields, string name, string notName, bool required)
    {
        var has = fields.TryGetValue(name, out var value);
        var hasNot = fields.TryGetValue(notName, out var notValue);
        if (has && hasNot)
        {
            throw new MalformedPolicyException($"A statement may have {name} or {notName}, not both.");
        }

        if (!has && !hasNot)
        {
            return required ? throw new MalformedPolicyException($"Missing required field {name} (or {notName}).") : (null, false);
        }

        var list = StringList(has ? value : notValue, has ? name : notName);
        return list.Count == 0 ? throw new MalformedPolicyException($"{(has ? name : notName)} must not be empty.") : (list, hasNot);
    }

    private static void ValidateAction(string action, PolicyKind kind)
    {
        if (action == "*")
        {
            return;
        }

        var colon = action.IndexOf(':', StringComparison.Ordinal);
        var service = colon > 0 ? action[..colon] : "";
        var name = colon > 0 ? action[(colon + 1)..] : "";
        if (service.Length == 0 || name.Length == 0
            || !service.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
            || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '*' or '?' or '-' or '_'))
        {
            throw new MalformedPolicyException($"Action {action} is not of the form service:ActionName (wildcards * and ? allowed in the name).");
        }

        if (kind == PolicyKind.Trust && service != "sts")
        {
            throw new MalformedPolicyException($"A trust policy may only name sts: actions, not {action}.");
        }
    }

    private static PolicyPrincipals ParsePrincipals(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.String && element.GetString() == "*")
        {
            return new PolicyPrincipals(everyone: true, new HashSet<string>(), new HashSet<string>());
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new MalformedPolicyException("Principal must be \"*\" or an object such as {\"AWS\": [...]}.");
        }

        var everyone = false;
        var accounts = new HashSet<string>(StringComparer.Ordinal);
        var arns = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in element.EnumerateObject())
        {
            if (field.Name != "AWS")
            {
                throw new MalformedPolicyException($"Principal type {field.Name} is not supported (only AWS principals: accounts, users, roles).");
            }

            foreach (var value in StringList(field.Value, "Principal AWS"))
            {
                if (value == "*")
                {
                    everyone = true;
                }
                else if (value.Length == 12 && value.All(char.IsAsciiDigit))
                {
                    accounts.Add(value);
                }
                else if (Arn.IsArn(value) && value.Split(':', 6) is [_, _, "iam", "", var account, "root"] && account.Length == 12)
                {
                    accounts.Add(account);
                }
                else if (Arn.IsArn(value) && value.Split(':', 6) is [_, _, "iam" or "sts", "", { Length: 12 }, var resource]
                    && (resource.StartsWith("user/", StringComparison.Ordinal) || resource.StartsWith("role/", StringComparison.Ordinal) || resource.StartsWith("assumed-role/", StringComparison.Ordinal))
                    && !IamWildcard.HasWildcards(value))
                {
                    arns.Add(value);
                }
                else
                {
                    throw new MalformedPolicyException($"Invalid principal in policy: \"AWS\":\"{value}\".");
                }
            }
        }

        return new PolicyPrincipals(everyone, accounts, arns);
    }

    private static List<PolicyCondition> ParseConditions(JsonElement element, bool variables)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new MalformedPolicyException("Condition must be an object of operators.");
        }

        var conditions = new List<PolicyCondition>();
        foreach (var op in element.EnumerateObject())
        {
            var parsed = ConditionOperator.Parse(op.Name)
                ?? throw new MalformedPolicyException($"Condition operator {op.Name} is not supported.");
            if (op.Value.ValueKind != JsonValueKind.Object)
            {
                throw new MalformedPolicyException($"Condition {op.Name} must be an object of condition keys.");
            }

            foreach (var key in op.Value.EnumerateObject())
            {
                if (!ConditionKeys.IsSupported(key.Name))
                {
                    throw new MalformedPolicyException($"Condition key {key.Name} is not supported.");
                }

                var values = ConditionValues(key.Value, key.Name);
                if (values.Count == 0)
                {
                    throw new MalformedPolicyException($"Condition key {key.Name} has no values.");
                }

                conditions.Add(new PolicyCondition(parsed, key.Name, values, variables));
            }
        }

        return conditions;
    }

    private static List<string> ConditionValues(JsonElement element, string key) => element.ValueKind switch
    {
        JsonValueKind.Array => [.. element.EnumerateArray().Select(v => Scalar(v, key))],
        _ => [Scalar(element, key)],
    };

    private static string Scalar(JsonElement element, string key) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString()!,
        JsonValueKind.Number => element.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => throw new MalformedPolicyException($"Condition values of {key} must be strings, numbers or booleans."),
    };

    private static List<string> StringList(JsonElement element, string name) => element.ValueKind switch
    {
        JsonValueKind.String => [element.GetString()!],
        JsonValueKind.Array => [.. element.EnumerateArray().Select(v => RequireString(v, name))],
        _ => throw new MalformedPolicyException($"{name} must be a string or a list of strings."),
    };

    private static string RequireString(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.String
            ? element.GetString()!
            : throw new MalformedPolicyException($"{name} must be a string.");
}
