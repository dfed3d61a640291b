namespace AmiVault.Iam.Policies;

internal enum ConditionComparison
{
    Equals,
    LessThan,
    LessThanEquals,
    GreaterThan,
    GreaterThanEquals,
}
