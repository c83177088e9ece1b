using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MigrationsSample.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class RestoreFences : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "retired_node_id",
                table: "__liblim_state",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "sent_seq",
                table: "__liblim_peers",
                type: "bigint",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "retired_node_id",
                table: "__liblim_state");

            migrationBuilder.DropColumn(
                name: "sent_seq",
                table: "__liblim_peers");
        }
    }
}
