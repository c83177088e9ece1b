using Liblim.EfCore.Metadata.Internal;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Conventions;

namespace Liblim.EfCore.Metadata.Conventions;

/// <summary>
/// Records on the finished model which database it is for, so that replicated columns know which values their
/// database can hold exactly. A model is built for one provider, so the valueStorage is fixed with it.
/// </summary>
internal sealed class ValueStorageConvention(IValueStorage valueStorage) : IModelFinalizedConvention
{
    public IModel ProcessModelFinalized(IModel model)
    {
        model.SetRuntimeAnnotation(LiblimAnnotationNames.ValueStorage, valueStorage);
        return model;
    }
}
