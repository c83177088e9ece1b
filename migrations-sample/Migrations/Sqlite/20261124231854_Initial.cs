using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MigrationsSample.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "__liblim_nodes",
                columns: table => new
                {
                    number = table.Column<int>(type: "INTEGER", nullable: false),
                    node_id = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_liblim_nodes", x => x.number);
                });

            migrationBuilder.CreateTable(
                name: "__liblim_peers",
                columns: table => new
                {
                    peer_id = table.Column<string>(type: "TEXT", nullable: false),
                    received_seq = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_liblim_peers", x => x.peer_id);
                });

            migrationBuilder.CreateTable(
                name: "__liblim_rows",
                columns: table => new
                {
                    seq = table.Column<long>(type: "INTEGER", nullable: false),
                    table_name = table.Column<string>(type: "TEXT", nullable: false),
                    row_key = table.Column<byte[]>(type: "BLOB", nullable: false),
                    clock = table.Column<string>(type: "TEXT", nullable: false),
                    column_clocks = table.Column<string>(type: "TEXT", nullable: true),
                    add_tags = table.Column<string>(type: "TEXT", nullable: true),
                    tombstones = table.Column<string>(type: "TEXT", nullable: true),
                    kept_values = table.Column<string>(type: "TEXT", nullable: true),
                    held = table.Column<string>(type: "TEXT", nullable: true),
                    awaiting = table.Column<string>(type: "TEXT", nullable: true),
                    source = table.Column<int>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_liblim_rows", x => x.seq);
                });

            migrationBuilder.CreateTable(
                name: "__liblim_state",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false),
                    node_id = table.Column<string>(type: "TEXT", nullable: true),
                    seq = table.Column<long>(type: "INTEGER", nullable: false),
                    clock = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_liblim_state", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "Bookmarks",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Url = table.Column<string>(type: "TEXT", nullable: false),
                    Title = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Bookmarks", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Notes",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Title = table.Column<string>(type: "TEXT", nullable: false),
                    Body = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Notes", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Preferences",
                columns: table => new
                {
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    Value = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Preferences", x => x.Name);
                });

            migrationBuilder.CreateIndex(
                name: "ix_liblim_nodes_node_id",
                table: "__liblim_nodes",
                column: "node_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_liblim_rows_awaiting",
                table: "__liblim_rows",
                column: "awaiting",
                filter: "awaiting IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_liblim_rows_key",
                table: "__liblim_rows",
                columns: new[] { "table_name", "row_key" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "__liblim_nodes");

            migrationBuilder.DropTable(
                name: "__liblim_peers");

            migrationBuilder.DropTable(
                name: "__liblim_rows");

            migrationBuilder.DropTable(
                name: "__liblim_state");

            migrationBuilder.DropTable(
                name: "Bookmarks");

            migrationBuilder.DropTable(
                name: "Notes");

            migrationBuilder.DropTable(
                name: "Preferences");
        }
    }
}
