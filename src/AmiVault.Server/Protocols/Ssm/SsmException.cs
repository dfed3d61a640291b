namespace AmiVault.Protocols.Ssm;

/// <summary>An SSM error: its shape name (the body's __type) and message; SSM answers every client error with 400.</summary>
internal sealed class SsmException(string type, string message, int status = 400) : Exception(message)
{
    public string Type { get; } = type;

    public int Status { get; } = status;

    public static SsmException Validation(string message) => new("ValidationException", message);

    public static SsmException NotFound(string name) => new("ParameterNotFound", $"Parameter {name} not found.");
}
