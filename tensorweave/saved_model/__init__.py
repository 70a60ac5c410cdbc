"""TF1 SavedModel: builder, loader, signatures, tag and signature constants, simple_save."""
