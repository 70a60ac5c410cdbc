"""tf.image codec names (re-exports only); the owner of compat/api/image.py star-imports this."""
from tensorweave.ops.image_io_ops import decode_image as decode_image
from tensorweave.ops.image_io_ops import decode_jpeg as decode_jpeg
from tensorweave.ops.image_io_ops import decode_png as decode_png
from tensorweave.ops.image_io_ops import encode_jpeg as encode_jpeg
from tensorweave.ops.image_io_ops import encode_png as encode_png
