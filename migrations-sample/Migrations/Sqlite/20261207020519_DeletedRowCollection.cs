using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MigrationsSample.Migrations.Sqlite
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
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "acked_at",
                table: "__liblim_peers",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "acked_seq",
                table: "__liblim_peers",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "rejoining",
                table: "__liblim_peers",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "collected_ticks",
                table: "__liblim_nodes",
                type: "INTEGER",
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
