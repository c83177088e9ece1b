using System.Data.Common;
using System.Text;
using Microsoft.Data.Sqlite;
using Liblim.EfCore.Storage.Internal;
using SQLitePCL;

namespace Liblim.EfCore.Storage.Sqlite;

/// <summary>
/// One SQL statement prepared on a SQLite connection's own handle and executed once per row with its parameters bound
/// by position: what SQLite itself needs per row, without a command object, a reader and a lookup of every parameter
/// by name per execution. It runs in the connection's current transaction.
/// </summary>
internal sealed class SqliteStatement : IRowStatement
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private byte[] _utf8 = new byte[256];

    private SqliteStatement(sqlite3 db, sqlite3_stmt statement)
    {
        _db = db;
        _statement = statement;
    }

    /// <summary>Prepares the statement on the connection; null when the connection is not an open Microsoft.Data.Sqlite one.</summary>
    private static SqliteStatement? Prepare(DbConnection connection, string sql)
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
    public bool TryExecute(DbParameterCollection parameters, out int changed)
    {
        changed = 0;
        for (var i = 0; i < parameters.Count; i++)
        {
            if (!TryBind(i + 1, parameters[i]))
            {
                return false;
            }
        }

        Execute();
        changed = raw.sqlite3_changes(_db);
        return true;
    }

    /// <summary>Binds a parameter's value as Microsoft.Data.Sqlite binds it; false for what this leaves to it (<see cref="SqliteStoredValue.TryGet"/>).</summary>
    private bool TryBind(int index, DbParameter parameter)
    {
        Span<char> buffer = stackalloc char[SqliteStoredValue.MaxFormattedText];
        if (SqliteStoredValue.TryGetText(parameter.Value, parameter, buffer, out var text))
        {
            Check(_db, BindText(index, text));
            return true;
        }

        if (!SqliteStoredValue.TryGet(parameter, out var stored))
        {
            return false;
        }

        Check(_db, stored.Class switch
        {
            SqliteStorageClass.Integer => raw.sqlite3_bind_int64(_statement, index, stored.Integer),
            SqliteStorageClass.Real => raw.sqlite3_bind_double(_statement, index, stored.Real),
            SqliteStorageClass.Text => raw.sqlite3_bind_text(_statement, index, stored.Text),
            SqliteStorageClass.Blob => raw.sqlite3_bind_blob(_statement, index, stored.Blob),
            _ => raw.sqlite3_bind_null(_statement, index),
        });
        return true;
    }

    /// <summary>
    /// Binds text as its UTF-8 bytes, encoded as Microsoft.Data.Sqlite encodes a string (a lone surrogate as U+FFFD) into a
    /// buffer the statement keeps, which SQLite copies: no string or array is made per value.
    /// </summary>
    private int BindText(int index, ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return raw.sqlite3_bind_text(_statement, index, ""); // an empty span is a null pointer, which SQLite binds as NULL
        }

        var length = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (_utf8.Length < length)
        {
            _utf8 = new byte[Math.Max(length, _utf8.Length * 2)];
        }

        return raw.sqlite3_bind_text(_statement, index, _utf8.AsSpan(0, Encoding.UTF8.GetBytes(text, _utf8)));
    }

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

    /// <summary>Runs the statement with the values bound, then readies it for the next ones.</summary>
    private void Execute()
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
