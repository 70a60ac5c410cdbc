"""tf.saved_model (re-exports only)."""
from tensorweave.saved_model import builder as builder
from tensorweave.saved_model import constants as constants
from tensorweave.saved_model import loader as loader
from tensorweave.saved_model import signature_constants as signature_constants
from tensorweave.saved_model import signature_def_utils as signature_def_utils
from tensorweave.saved_model import tag_constants as tag_constants
from tensorweave.saved_model import utils as utils
from tensorweave.saved_model.builder import SavedModelBuilder as Builder
from tensorweave.saved_model.constants import ASSETS_DIRECTORY as ASSETS_DIRECTORY
from tensorweave.saved_model.constants import ASSETS_KEY as ASSETS_KEY
from tensorweave.saved_model.constants import LEGACY_INIT_OP_KEY as LEGACY_INIT_OP_KEY
from tensorweave.saved_model.constants import MAIN_OP_KEY as MAIN_OP_KEY
from tensorweave.saved_model.constants import \
    SAVED_MODEL_FILENAME_PB as SAVED_MODEL_FILENAME_PB
from tensorweave.saved_model.constants import \
    SAVED_MODEL_FILENAME_PBTXT as SAVED_MODEL_FILENAME_PBTXT
from tensorweave.saved_model.constants import \
    SAVED_MODEL_SCHEMA_VERSION as SAVED_MODEL_SCHEMA_VERSION
from tensorweave.saved_model.constants import VARIABLES_DIRECTORY as VARIABLES_DIRECTORY
from tensorweave.saved_model.constants import VARIABLES_FILENAME as VARIABLES_FILENAME
from tensorweave.saved_model.loader import load as load
from tensorweave.saved_model.loader import \
    maybe_saved_model_directory as contains_saved_model
from tensorweave.saved_model.loader import \
    maybe_saved_model_directory as maybe_saved_model_directory
from tensorweave.saved_model.signature_constants import \
    CLASSIFY_INPUTS as CLASSIFY_INPUTS
from tensorweave.saved_model.signature_constants import \
    CLASSIFY_METHOD_NAME as CLASSIFY_METHOD_NAME
from tensorweave.saved_model.signature_constants import \
    CLASSIFY_OUTPUT_CLASSES as CLASSIFY_OUTPUT_CLASSES
from tensorweave.saved_model.signature_constants import \
    CLASSIFY_OUTPUT_SCORES as CLASSIFY_OUTPUT_SCORES
from tensorweave.saved_model.signature_constants import \
    DEFAULT_SERVING_SIGNATURE_DEF_KEY as DEFAULT_SERVING_SIGNATURE_DEF_KEY
from tensorweave.saved_model.signature_constants import PREDICT_INPUTS as PREDICT_INPUTS
from tensorweave.saved_model.signature_constants import \
    PREDICT_METHOD_NAME as PREDICT_METHOD_NAME
from tensorweave.saved_model.signature_constants import PREDICT_OUTPUTS as PREDICT_OUTPUTS
from tensorweave.saved_model.signature_constants import REGRESS_INPUTS as REGRESS_INPUTS
from tensorweave.saved_model.signature_constants import \
    REGRESS_METHOD_NAME as REGRESS_METHOD_NAME
from tensorweave.saved_model.signature_constants import REGRESS_OUTPUTS as REGRESS_OUTPUTS
from tensorweave.saved_model.signature_def_utils import \
    build_signature_def as build_signature_def
from tensorweave.saved_model.signature_def_utils import \
    classification_signature_def as classification_signature_def
from tensorweave.saved_model.signature_def_utils import \
    is_valid_signature as is_valid_signature
from tensorweave.saved_model.signature_def_utils import \
    predict_signature_def as predict_signature_def
from tensorweave.saved_model.signature_def_utils import \
    regression_signature_def as regression_signature_def
from tensorweave.saved_model.simple_save import simple_save as simple_save
from tensorweave.saved_model.tag_constants import GPU as GPU
from tensorweave.saved_model.tag_constants import SERVING as SERVING
from tensorweave.saved_model.tag_constants import TPU as TPU
from tensorweave.saved_model.tag_constants import TRAINING as TRAINING
from tensorweave.saved_model.utils import build_tensor_info as build_tensor_info
from tensorweave.saved_model.utils import \
    get_tensor_from_tensor_info as get_tensor_from_tensor_info
