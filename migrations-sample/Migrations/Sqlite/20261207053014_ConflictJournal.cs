using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MigrationsSample.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ConflictJournal : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "__liblim_conflicts",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    column_name = table.Column<string>(type: "TEXT", nullable: false),
                    table_name = table.Column<string>(type: "TEXT", nullable: false),
                    row_key = table.Column<string>(type: "TEXT", nullable: false),
                    winner_value = table.Column<string>(type: "TEXT", nullable: true),
                    winner_clock = table.Column<string>(type: "TEXT", nullable: true),
                    loser_value = table.Column<string>(type: "TEXT", nullable: false),
                    loser_clock = table.Column<string>(type: "TEXT", nullable: false),
                    decided_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_liblim_conflicts", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_liblim_conflicts_decided_at",
                table: "__liblim_conflicts",
                column: "decided_at");

            migrationBuilder.CreateIndex(
                name: "ix_liblim_conflicts_lost_write",
                table: "__liblim_conflicts",
                columns: new[] { "table_name", "row_key", "column_name", "loser_clock" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "__liblim_conflicts");
        }
    }
}
