"""tf.image (re-exports only)."""
from tensorweave.ops.image_ops import ResizeMethod as ResizeMethod
from tensorweave.ops.image_ops import adjust_brightness as adjust_brightness
from tensorweave.ops.image_ops import adjust_contrast as adjust_contrast
from tensorweave.ops.image_ops import central_crop as central_crop
from tensorweave.ops.image_ops import convert_image_dtype as convert_image_dtype
from tensorweave.ops.image_ops import crop_to_bounding_box as crop_to_bounding_box
from tensorweave.ops.image_ops import flip_left_right as flip_left_right
from tensorweave.ops.image_ops import flip_up_down as flip_up_down
from tensorweave.ops.image_ops import grayscale_to_rgb as grayscale_to_rgb
from tensorweave.ops.image_ops import pad_to_bounding_box as pad_to_bounding_box
from tensorweave.ops.image_ops import per_image_standardization as per_image_standardization
from tensorweave.ops.image_ops import random_brightness as random_brightness
from tensorweave.ops.image_ops import random_contrast as random_contrast
from tensorweave.ops.image_ops import random_crop as random_crop
from tensorweave.ops.image_ops import random_flip_left_right as random_flip_left_right
from tensorweave.ops.image_ops import random_flip_up_down as random_flip_up_down
from tensorweave.ops.image_ops import resize as resize
from tensorweave.ops.image_ops import resize_bilinear as resize_bilinear
from tensorweave.ops.image_ops import resize_image_with_crop_or_pad as resize_image_with_crop_or_pad
from tensorweave.ops.image_ops import resize_images as resize_images
from tensorweave.ops.image_ops import resize_nearest_neighbor as resize_nearest_neighbor
from tensorweave.ops.image_ops import resize_with_crop_or_pad as resize_with_crop_or_pad
from tensorweave.ops.image_ops import rgb_to_grayscale as rgb_to_grayscale
from tensorweave.ops.image_ops import transpose_image as transpose_image
from tensorweave.compat.api.image_io import *  # noqa: F401,F403,E402
