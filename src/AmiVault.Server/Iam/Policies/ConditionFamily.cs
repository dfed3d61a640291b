namespace AmiVault.Iam.Policies;

internal enum ConditionFamily
{
    String,
    StringIgnoreCase,
    StringLike,
    Numeric,
    Date,
    Bool,
    IpAddress,
    Arn,
    Null,
}
