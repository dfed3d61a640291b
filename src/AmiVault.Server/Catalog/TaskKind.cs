namespace AmiVault.Catalog;

/// <summary>The two kinds of task the catalog keeps (each in its own table) and the engine runs.</summary>
internal enum TaskKind
{
    Store,
    Restore,
}
