using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MigrationsSample.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class RowMetadataInRows : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "__liblim_clocks",
                table: "Notes",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "__liblim_seq",
                table: "Notes",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "__liblim_clocks",
                table: "Bookmarks",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "__liblim_seq",
                table: "Bookmarks",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Notes___liblim_seq",
                table: "Notes",
                column: "__liblim_seq");

            migrationBuilder.CreateIndex(
                name: "IX_Bookmarks___liblim_seq",
                table: "Bookmarks",
                column: "__liblim_seq");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Notes___liblim_seq",
                table: "Notes");

            migrationBuilder.DropIndex(
                name: "IX_Bookmarks___liblim_seq",
                table: "Bookmarks");

            migrationBuilder.DropColumn(
                name: "__liblim_clocks",
                table: "Notes");

            migrationBuilder.DropColumn(
                name: "__liblim_seq",
                table: "Notes");

            migrationBuilder.DropColumn(
                name: "__liblim_clocks",
                table: "Bookmarks");

            migrationBuilder.DropColumn(
                name: "__liblim_seq",
                table: "Bookmarks");
        }
    }
}
