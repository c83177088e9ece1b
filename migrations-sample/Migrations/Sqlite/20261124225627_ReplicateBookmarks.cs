using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MigrationsSample.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ReplicateBookmarks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Making an entity replicated adds no table or column: Liblim's tables exist since the first
            // migration. Only the model snapshot changes (the "Liblim:Replicated" annotation). Bookmarks stored
            // before this migration are adopted into replication when they are next written.
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {

        }
    }
}
