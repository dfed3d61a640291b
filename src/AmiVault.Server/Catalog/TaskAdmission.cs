namespace AmiVault.Catalog;

/// <summary>Whether a new task was accepted, decided atomically with the other tasks of the account.</summary>
internal enum TaskAdmission
{
    Admitted,

    /// <summary>A store of this image into this bucket is already in progress.</summary>
    AlreadyInProgress,

    /// <summary>The account's tasks in progress already reach its quota.</summary>
    QuotaExceeded,

    /// <summary>The account already has an image of the restored image's name.</summary>
    NameInUse,
}
