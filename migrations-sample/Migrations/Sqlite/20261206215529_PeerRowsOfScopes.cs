using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MigrationsSample.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class PeerRowsOfScopes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "__liblim_peer_rows",
                columns: table => new
                {
                    peer_id = table.Column<string>(type: "TEXT", nullable: false),
                    table_name = table.Column<string>(type: "TEXT", nullable: false),
                    row_key = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_liblim_peer_rows", x => new { x.peer_id, x.table_name, x.row_key });
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "__liblim_peer_rows");
        }
    }
}
