using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MigrationsSample.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class FeedPositions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateSequence(
                name: "__liblim_positions",
                maxValue: 281474976710655L);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropSequence(
                name: "__liblim_positions");
        }
    }
}
