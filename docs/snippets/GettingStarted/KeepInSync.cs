using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Liblim.EfCore.DocSnippets.GettingStarted;

/// <summary>docs/getting-started.md, step 5: an app host that stays in sync.</summary>
internal static class KeepInSync
{
    public static void Register(WebApplicationBuilder builder)
    {
        builder.Services.AddDbContextFactory<TodoDb>(o => o.UseSqlite("Data Source=phone.db").UseLiblim());
        builder.Services.AddLiblimSync<TodoDb>(o =>
        {
            o.Listen = new IPEndPoint(IPAddress.Any, 4242);        // accept peers (optional)
            o.Peers.Add(new Uri("liblim://hub.example.org:4242"));  // stay in sync with these
            o.Secret = builder.Configuration["Liblim:Secret"];
        });
    }
}
