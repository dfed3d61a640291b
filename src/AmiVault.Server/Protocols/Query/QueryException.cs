namespace AmiVault.Protocols.Query;

/// <summary>An IAM or STS error: AWS's code, message and HTTP status (Sender faults are 4xx).</summary>
internal sealed class QueryException(string code, string message, int status = 400) : Exception(message)
{
    public string Code { get; } = code;

    public int Status { get; } = status;

    public static QueryException Validation(string message) => new("ValidationError", message);

    public static QueryException NoSuchEntity(string message) => new("NoSuchEntity", message, 404);

    public static QueryException MissingParameter(string name) =>
        new("MissingParameter", $"The request must contain the parameter {name}.");
}
