using System.Collections.Concurrent;
using Mesh.Core.Model;

namespace Mesh.Waypoint.Routing;

/// <summary>
/// The waypoint's retry budgets, one per backend service (its <c>destination_service</c> name) and budget settings
/// (two routes to one service with different annotations budget separately); created on first use, kept for the
/// process's life (one per service the waypoint has retried to).
/// </summary>
public sealed class RetryBudgets(TimeProvider time)
{
    private readonly ConcurrentDictionary<(string Service, RetryBudgetSettings Settings), RetryBudget> _budgets = new();

    public RetryBudget For(string service, RetryBudgetSettings settings) =>
        _budgets.GetOrAdd((service, settings), static (key, t) => new RetryBudget(key.Settings, t), time);
}
