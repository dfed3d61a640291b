using System.Security.Cryptography;

namespace AmiVault.Iam;

/// <summary>IAM's identifiers as AWS shapes them: a four-letter kind (AKIA, ASIA, AIDA, AROA, ANPA) and 16 more.</summary>
internal static class IamIds
{
    public const string AccessKey = "AKIA";
    public const string TemporaryAccessKey = "ASIA";
    public const string User = "AIDA";
    public const string Role = "AROA";
    public const string Policy = "ANPA";

    private const string IdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private const string SecretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    public static string New(string prefix) => prefix + Random(IdAlphabet, 16);

    public static string NewSecret() => Random(SecretAlphabet, 40);

    /// <summary>A session token: long, random, opaque; only its SHA-256 is kept.</summary>
    public static string NewSessionToken() => "IQoJb3JpZ2luX2Vj" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(96));

    private static string Random(string alphabet, int length) =>
        string.Create(length, alphabet, (span, a) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = a[RandomNumberGenerator.GetInt32(a.Length)];
            }
        });
}
