namespace AmiVault.Protocols.Ec2;

/// <summary>
/// EC2 filter values: `*` matches any run of characters, `?` exactly one, and a backslash makes the next
/// character literal (`\*`). Matching is case-sensitive and linear in practice: no regular expressions, so a
/// hostile pattern cannot make a request slow.
/// </summary>
internal static class Ec2Wildcard
{
    public static bool Matches(string pattern, string value)
    {
        if (!pattern.Contains('*', StringComparison.Ordinal) && !pattern.Contains('?', StringComparison.Ordinal) && !pattern.Contains('\\', StringComparison.Ordinal))
        {
            return string.Equals(pattern, value, StringComparison.Ordinal);
        }

        var tokens = Tokenize(pattern);
        int t = 0, v = 0, starToken = -1, starValue = 0;
        while (v < value.Length)
        {
            if (t < tokens.Count && tokens[t].Kind == TokenKind.Star)
            {
                starToken = t++;
                starValue = v;
            }
            else if (t < tokens.Count && (tokens[t].Kind == TokenKind.One || tokens[t].Literal == value[v]))
            {
                t++;
                v++;
            }
            else if (starToken >= 0)
            {
                // Let the last star swallow one more character and retry from just after it.
                t = starToken + 1;
                v = ++starValue;
            }
            else
            {
                return false;
            }
        }

        while (t < tokens.Count && tokens[t].Kind == TokenKind.Star)
        {
            t++;
        }

        return t == tokens.Count;
    }

    private static List<Token> Tokenize(string pattern)
    {
        var tokens = new List<Token>(pattern.Length);
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                tokens.Add(new Token(TokenKind.Literal, pattern[++i]));
            }
            else
            {
                tokens.Add(c switch
                {
                    '*' => new Token(TokenKind.Star, c),
                    '?' => new Token(TokenKind.One, c),
                    _ => new Token(TokenKind.Literal, c),
                });
            }
        }

        return tokens;
    }

    private enum TokenKind
    {
        Literal,
        One,
        Star,
    }

    private readonly record struct Token(TokenKind Kind, char Literal);
}
