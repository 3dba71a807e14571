namespace ModelBuild.Runtime;

/// <summary>
/// The outputs of one run that a <see cref="ModelSession"/> lends out from results it reuses, so that a run allocates
/// no results object (<see cref="ModelSession.RunLeased{TState}(TState, Action{ModelInputs, TState})"/>; generated
/// code's <c>Run</c> uses it). Like a <see cref="System.Threading.Tasks.ValueTask"/>, it pairs the object with a
/// number: once the lease is disposed, it and every copy of it refuse access (<see cref="ObjectDisposedException"/>)
/// even after the object serves another run, and disposing it again does nothing.
/// </summary>
public readonly struct ModelResultsLease : IDisposable
{
    private readonly ModelResults? _results;
    private readonly ModelSession? _session;
    private readonly int _lease;

    internal ModelResultsLease(ModelResults results, ModelSession session, int lease)
    {
        _results = results;
        _session = session;
        _lease = lease;
    }

    /// <summary>
    /// Gets the results while the lease lasts. Do not keep the object: after <see cref="Dispose"/> it may hold the
    /// outputs of another run.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The lease was disposed (or is a default value).</exception>
    public ModelResults Results
    {
        get
        {
            if (_results is null || _results.Lease != _lease)
            {
                throw new ObjectDisposedException(nameof(ModelResults), "The outputs were disposed.");
            }

            return _results;
        }
    }

    /// <summary>Frees the outputs' native memory and hands the results object back to the session.</summary>
    public void Dispose()
    {
        if (_results is not null && _results.EndLease(_lease))
        {
            _session!.ReturnResults(_results);
        }
    }
}
