using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Liblim.EfCore.Storage.Internal;

/// <summary>
/// One SQL statement prepared on a SQLite connection's own handle and executed once per row with its parameters bound
/// by position: what SQLite itself needs per row, without a command object, a reader and a lookup of every parameter
/// by name per execution. It runs in the connection's current transaction.
/// </summary>
internal sealed class SqliteStatement : IDisposable
{
    /// <summary>What <see cref="TryBind"/> has for a value it leaves to Microsoft.Data.Sqlite (no SQLite result code is negative).</summary>
    private const int NotBound = -1;

    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    private SqliteStatement(sqlite3 db, sqlite3_stmt statement)
    {
        _db = db;
        _statement = statement;
    }

    /// <summary>Prepares the statement on the connection; null when the connection is not an open Microsoft.Data.Sqlite one.</summary>
    public static SqliteStatement? Prepare(DbConnection connection, string sql)
    {
        if (connection is not SqliteConnection { Handle: { } db })
        {
            return null;
        }

        Check(db, raw.sqlite3_prepare_v2(db, sql, out var statement));
        return new SqliteStatement(db, statement);
    }

    /// <summary>
    /// Prepares a command's text on its connection's handle, to run with the command's parameters bound by position
    /// (<see cref="TryExecute"/>); null when the connection is not an open Microsoft.Data.Sqlite one, when the statement's
    /// parameters are not the command's in the same order, or when a parameter has a size (which Microsoft.Data.Sqlite
    /// would truncate its values to).
    /// </summary>
    public static SqliteStatement? Prepare(DbCommand command)
    {
        if (Prepare(command.Connection!, command.CommandText) is not { } statement)
        {
            return null;
        }

        var parameters = command.Parameters;
        var matches = raw.sqlite3_bind_parameter_count(statement._statement) == parameters.Count;
        for (var i = 0; matches && i < parameters.Count; i++)
        {
            matches = !HasSize(parameters[i])
                && raw.sqlite3_bind_parameter_name(statement._statement, i + 1).utf8_to_string() == parameters[i].ParameterName;
        }

        if (!matches)
        {
            statement.Dispose();
            return null;
        }

        return statement;
    }

    /// <summary>
    /// Runs the statement once with the current values of the parameters of the command it was prepared from, bound
    /// as Microsoft.Data.Sqlite binds them (StoredFormTests compare what both store, type by type). False, having run
    /// nothing, when a value is one this leaves to Microsoft.Data.Sqlite (see <see cref="TryBind"/>): the command then
    /// runs that row.
    /// </summary>
    public bool TryExecute(DbParameterCollection parameters)
    {
        for (var i = 0; i < parameters.Count; i++)
        {
            if (!TryBind(i + 1, parameters[i]))
            {
                return false;
            }
        }

        Execute();
        return true;
    }

    /// <summary>
    /// Binds a parameter's value as Microsoft.Data.Sqlite binds it: null, an integer (a boolean as 0 or 1), a real, bytes,
    /// or text (a Guid in upper case, dates and times in its fixed forms). False for what this leaves to it: a NaN (which it
    /// refuses), a date or time the parameter asks to store as a real, a value of any other type.
    /// </summary>
    private bool TryBind(int index, DbParameter parameter)
    {
        var value = parameter.Value;
        var rc = value switch
        {
            null or DBNull => raw.sqlite3_bind_null(_statement, index),
            long number => raw.sqlite3_bind_int64(_statement, index, number),
            int number => raw.sqlite3_bind_int64(_statement, index, number),
            short number => raw.sqlite3_bind_int64(_statement, index, number),
            sbyte number => raw.sqlite3_bind_int64(_statement, index, number),
            byte number => raw.sqlite3_bind_int64(_statement, index, number),
            ushort number => raw.sqlite3_bind_int64(_statement, index, number),
            uint number => raw.sqlite3_bind_int64(_statement, index, number),
            ulong number => raw.sqlite3_bind_int64(_statement, index, unchecked((long)number)),
            bool flag => raw.sqlite3_bind_int64(_statement, index, flag ? 1 : 0),
            char letter when StoredAs(parameter) == SqliteType.Integer => raw.sqlite3_bind_int64(_statement, index, letter),
            double real when !double.IsNaN(real) => raw.sqlite3_bind_double(_statement, index, real),
            float real when !float.IsNaN(real) => raw.sqlite3_bind_double(_statement, index, real),
            byte[] bytes => raw.sqlite3_bind_blob(_statement, index, bytes),
            Guid guid when StoredAs(parameter) == SqliteType.Blob => raw.sqlite3_bind_blob(_statement, index, guid.ToByteArray()),
            _ when TextForm(value, parameter) is { } text => raw.sqlite3_bind_text(_statement, index, text),
            _ => NotBound,
        };
        if (rc == NotBound)
        {
            return false;
        }

        Check(_db, rc);
        return true;
    }

    /// <summary>
    /// The text Microsoft.Data.Sqlite stores for a value it stores as text; null for a date or time the parameter asks to
    /// store as a real, and for a value of any other type.
    /// </summary>
    private static string? TextForm(object value, DbParameter parameter) => value switch
    {
        string text => text,
        char letter => new string(letter, 1),
        Guid guid => UpperCase(guid),
        decimal number => number.ToString(SqliteDialect.DecimalFormat, CultureInfo.InvariantCulture),
        DateTime or DateTimeOffset or DateOnly or TimeOnly or TimeSpan when StoredAs(parameter) == SqliteType.Real => null,
        DateTime time => time.ToString(@"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFF", CultureInfo.InvariantCulture),
        DateTimeOffset time => time.ToString(@"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFFzzz", CultureInfo.InvariantCulture),
        DateOnly day => day.ToString(@"yyyy\-MM\-dd", CultureInfo.InvariantCulture),
        TimeOnly time => time.ToString(time.Ticks % TimeSpan.TicksPerSecond == 0 ? "HH:mm:ss" : "HH:mm:ss.fffffff", CultureInfo.InvariantCulture),
        TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
        _ => null,
    };

    /// <summary>
    /// Whether a size was set on the parameter (a SqliteParameter without one reports its value's length as its size).
    /// </summary>
    private static bool HasSize(DbParameter parameter)
    {
        var value = parameter.Value;
        parameter.Value = DBNull.Value;
        var size = parameter.Size;
        parameter.Value = value;
        return size is not (0 or -1);
    }

    private static SqliteType StoredAs(DbParameter parameter) => parameter is SqliteParameter sqlite ? sqlite.SqliteType : SqliteType.Text;

    private static string UpperCase(Guid guid) => string.Create(36, guid, static (text, value) =>
    {
        value.TryFormat(text, out _);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is >= 'a' and <= 'f')
            {
                text[i] = (char)(text[i] - ('a' - 'A'));
            }
        }
    });

    /// <summary>Binds a parameter (1-based, in order of appearance): text, a blob, an integer, or null.</summary>
    public void Bind(int index, object? value)
        => Check(_db, value switch
        {
            string text => raw.sqlite3_bind_text(_statement, index, text),
            byte[] bytes => raw.sqlite3_bind_blob(_statement, index, bytes),
            long number => raw.sqlite3_bind_int64(_statement, index, number),
            int number => raw.sqlite3_bind_int(_statement, index, number),
            null or DBNull => raw.sqlite3_bind_null(_statement, index),
            _ => throw new InvalidOperationException($"A value of type {value.GetType()} cannot be bound here."),
        });

    /// <summary>Binds an integer parameter without boxing it.</summary>
    public void Bind(int index, long value) => Check(_db, raw.sqlite3_bind_int64(_statement, index, value));

    /// <summary>Runs the statement with the values bound, then readies it for the next ones.</summary>
    public void Execute()
    {
        var rc = raw.sqlite3_step(_statement);
        if (rc != raw.SQLITE_DONE && rc != raw.SQLITE_ROW)
        {
            SqliteException.ThrowExceptionForRC(rc, _db); // before the reset, while SQLite still holds the message
        }

        Check(_db, raw.sqlite3_reset(_statement));
    }

    public void Dispose() => _statement.Dispose();

    private static void Check(sqlite3 db, int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, db);
        }
    }
}
