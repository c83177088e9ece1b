using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MigrationsSample.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class DeletedRowCollection : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "collected_seq",
                table: "__liblim_state",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "acked_at",
                table: "__liblim_peers",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "acked_seq",
                table: "__liblim_peers",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "rejoining",
                table: "__liblim_peers",
                type: "boolean",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "collected_ticks",
                table: "__liblim_nodes",
                type: "bigint",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "collected_seq",
                table: "__liblim_state");

            migrationBuilder.DropColumn(
                name: "acked_at",
                table: "__liblim_peers");

            migrationBuilder.DropColumn(
                name: "acked_seq",
                table: "__liblim_peers");

            migrationBuilder.DropColumn(
                name: "rejoining",
                table: "__liblim_peers");

            migrationBuilder.DropColumn(
                name: "collected_ticks",
                table: "__liblim_nodes");
        }
    }
}
