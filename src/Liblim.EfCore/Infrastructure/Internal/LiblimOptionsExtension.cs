using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Liblim.EfCore.Infrastructure.Internal;

/// <summary>Liblim's options on a context, and the one place its services are registered.</summary>
internal sealed class LiblimOptionsExtension : IDbContextOptionsExtension
{
    /// <summary>The default for <see cref="MaxClockDrift"/>.</summary>
    public static readonly TimeSpan DefaultMaxClockDrift = TimeSpan.FromMinutes(5);

    /// <summary>The default for <see cref="SyncCommitInterval"/>.</summary>
    public static readonly TimeSpan DefaultSyncCommitInterval = TimeSpan.FromSeconds(1);

    /// <summary>The default for <see cref="ForgetPeersAfter"/>.</summary>
    public static readonly TimeSpan DefaultForgetPeersAfter = TimeSpan.FromDays(30);

    /// <summary>The default for <see cref="KeepConflicts"/>: how many conflicts the journal keeps.</summary>
    public const int DefaultKeepConflicts = 10_000;

    /// <summary>The default for <see cref="SyncCacheKibibytes"/>: 16 MiB.</summary>
    public const int DefaultSyncCacheKibibytes = 16 * 1024;

    private ExtensionInfo? _info;

    public LiblimOptionsExtension()
    {
    }

    private LiblimOptionsExtension(LiblimOptionsExtension copyFrom)
    {
        NodeId = copyFrom.NodeId;
        MaxClockDrift = copyFrom.MaxClockDrift;
        SyncCommitInterval = copyFrom.SyncCommitInterval;
        TimeProvider = copyFrom.TimeProvider;
        ForgetPeersAfter = copyFrom.ForgetPeersAfter;
        KeepConflicts = copyFrom.KeepConflicts;
        KeepConflictsFor = copyFrom.KeepConflictsFor;
        SyncCacheKibibytes = copyFrom.SyncCacheKibibytes;
    }

    public Guid? NodeId { get; private set; }

    public TimeSpan MaxClockDrift { get; private set; } = DefaultMaxClockDrift;

    public TimeSpan SyncCommitInterval { get; private set; } = DefaultSyncCommitInterval;

    public TimeProvider TimeProvider { get; private set; } = TimeProvider.System;

    /// <summary>How long a peer may stay silent before deleted rows are collected without it; null: never.</summary>
    public TimeSpan? ForgetPeersAfter { get; private set; } = DefaultForgetPeersAfter;

    /// <summary>How many conflicts the journal keeps, the latest (0: it records none).</summary>
    public int KeepConflicts { get; private set; } = DefaultKeepConflicts;

    /// <summary>How long the journal keeps a conflict; null: until the count bound drops it.</summary>
    public TimeSpan? KeepConflictsFor { get; private set; }

    /// <summary>The page cache, in KiB, a SQLite connection applies a peer's batches with at least (0: its own).</summary>
    public int SyncCacheKibibytes { get; private set; } = DefaultSyncCacheKibibytes;

    public DbContextOptionsExtensionInfo Info => _info ??= new ExtensionInfo(this);

    /// <summary>The Liblim options of a context; a <see cref="LiblimException"/> when it does not use Liblim.</summary>
    public static LiblimOptionsExtension Of(DbContext context)
        => context.GetService<IDbContextOptions>().FindExtension<LiblimOptionsExtension>()
           ?? throw new LiblimException($"{context.GetType().Name} does not use Liblim: call UseLiblim() after UseSqlite/UseNpgsql in its options.");

    public LiblimOptionsExtension WithNodeId(Guid nodeId) => new(this) { NodeId = nodeId };

    public LiblimOptionsExtension WithMaxClockDrift(TimeSpan maxDrift) => new(this) { MaxClockDrift = maxDrift };

    public LiblimOptionsExtension WithSyncCommitInterval(TimeSpan interval) => new(this) { SyncCommitInterval = interval };

    public LiblimOptionsExtension WithTimeProvider(TimeProvider timeProvider) => new(this) { TimeProvider = timeProvider };

    public LiblimOptionsExtension WithForgetPeersAfter(TimeSpan? after) => new(this) { ForgetPeersAfter = after };

    public LiblimOptionsExtension WithKeepConflicts(int count, TimeSpan? age) => new(this) { KeepConflicts = count, KeepConflictsFor = age };

    public LiblimOptionsExtension WithSyncCacheKibibytes(int kibibytes) => new(this) { SyncCacheKibibytes = kibibytes };

    public void ApplyServices(IServiceCollection services) => services.AddEntityFrameworkLiblim();

    public void Validate(IDbContextOptions options)
    {
        if (!options.Extensions.Any(e => e is RelationalOptionsExtension))
        {
            throw new InvalidOperationException("UseLiblim needs a relational database provider: call UseSqlite or UseNpgsql before UseLiblim.");
        }
    }

    private sealed class ExtensionInfo(LiblimOptionsExtension extension) : DbContextOptionsExtensionInfo(extension)
    {
        private new LiblimOptionsExtension Extension => (LiblimOptionsExtension)base.Extension;

        public override bool IsDatabaseProvider => false;

        public override string LogFragment => "using Liblim ";

        public override int GetServiceProviderHashCode() => 0;

        // Options are read from the context's options at use, never baked into services, so one service
        // provider serves every Liblim configuration.
        public override bool ShouldUseSameServiceProvider(DbContextOptionsExtensionInfo other) => other is ExtensionInfo;

        public override void PopulateDebugInfo(IDictionary<string, string> debugInfo)
        {
            debugInfo["Liblim:NodeId"] = Extension.NodeId?.ToString() ?? "(database)";
            debugInfo["Liblim:MaxClockDrift"] = Extension.MaxClockDrift.ToString();
            debugInfo["Liblim:SyncCommitInterval"] = Extension.SyncCommitInterval.ToString();
            debugInfo["Liblim:SyncCacheSize"] = Extension.SyncCacheKibibytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
            debugInfo["Liblim:ForgetPeersAfter"] = Extension.ForgetPeersAfter?.ToString() ?? "(never)";
            debugInfo["Liblim:KeepConflicts"] = $"{Extension.KeepConflicts} for {Extension.KeepConflictsFor?.ToString() ?? "(ever)"}";
        }
    }
}
