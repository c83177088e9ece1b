using Microsoft.Extensions.Options;

namespace Liblim.EfCore.Sync.Hosting;

/// <summary>Validates a context's <see cref="LiblimSyncOptions"/> when the host starts (<c>ValidateOnStart</c>), with a message naming the setting.</summary>
internal sealed class LiblimSyncOptionsValidation : IValidateOptions<LiblimSyncOptions>
{
    public ValidateOptionsResult Validate(string? name, LiblimSyncOptions options)
    {
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException e)
        {
            return ValidateOptionsResult.Fail($"The Liblim sync options of {name}: {e.Message}");
        }
    }
}
