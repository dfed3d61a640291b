namespace AmiVault.Tasks;

internal enum TaskKind
{
    Store,
    Restore,
}
