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
                    table_name = table.Column<string>(type: "TEXT", nullable: false),
                    row_key = table.Column<string>(type: "TEXT", nullable: false),
                    seq = table.Column<long>(type: "INTEGER", nullable: false),
                    clock = table.Column<string>(type: "TEXT", nullable: false),
                    column_clocks = table.Column<string>(type: "TEXT", nullable: true),
                    add_tags = table.Column<string>(type: "TEXT", nullable: true),
                    tombstones = table.Column<string>(type: "TEXT", nullable: true),
                    kept_values = table.Column<string>(type: "TEXT", nullable: true),
                    held = table.Column<string>(type: "TEXT", nullable: true),
                    awaiting = table.Column<string>(type: "TEXT", nullable: true),
                    source = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_liblim_rows", x => new { x.table_name, x.row_key });
                });

            migrationBuilder.CreateTable(
                name: "__liblim_state",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
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
                name: "ix_liblim_rows_awaiting",
                table: "__liblim_rows",
                column: "awaiting",
                filter: "awaiting IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_liblim_rows_seq",
                table: "__liblim_rows",
                column: "seq",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
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
