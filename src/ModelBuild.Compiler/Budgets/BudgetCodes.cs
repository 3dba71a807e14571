namespace ModelBuild.Compiler.Budgets;

/// <summary>Codes of an exceeded verification budget (MB565x, listed in docs/diagnostics.md).</summary>
internal static class BudgetCodes
{
    /// <summary>Verification ran past <see cref="VerificationBudget.Timeout"/> and was terminated.</summary>
    public const string TimeExceeded = "MB5650";

    /// <summary>The compiler's working set passed the memory budget while verification ran; the run was terminated.</summary>
    public const string MemoryExceeded = "MB5651";

    /// <summary>A sample input or an intermediate tensor whose size is known before running is over the memory budget.</summary>
    public const string PlannedTensorTooLarge = "MB5652";

    public static bool IsBudget(string code) => code is TimeExceeded or MemoryExceeded or PlannedTensorTooLarge;
}
