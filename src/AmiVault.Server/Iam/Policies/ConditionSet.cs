namespace AmiVault.Iam.Policies;

internal enum ConditionSet
{
    None,
    ForAnyValue,
    ForAllValues,
}
