using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MigrationsSample.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class PeerStatus : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "address",
                table: "__liblim_peers",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "last_error",
                table: "__liblim_peers",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "last_sync",
                table: "__liblim_peers",
                type: "text",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "address",
                table: "__liblim_peers");

            migrationBuilder.DropColumn(
                name: "last_error",
                table: "__liblim_peers");

            migrationBuilder.DropColumn(
                name: "last_sync",
                table: "__liblim_peers");
        }
    }
}
