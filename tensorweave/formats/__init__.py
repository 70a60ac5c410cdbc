"""TensorFlow's file formats as bytes <-> NumPy/protos, with no graph code.

crc32c (masked CRC32C), tfrecord (record framing, GZIP/ZLIB), table (LevelDB sorted tables,
the `.index` files), tensor_bundle (V2 checkpoints), checkpoint_state (the `checkpoint` file),
events (event files), example_pb2 / saved_model_pb2 (TF messages tensorboard does not ship).
"""
