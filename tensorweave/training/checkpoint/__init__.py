"""Checkpoints: TF's save/restore ops (SaveV2, RestoreV2, MergeV2Checkpoints, ShardedFilename)
and the checkpoint utilities (tf.train.latest_checkpoint, NewCheckpointReader,
init_from_checkpoint...). The on-disk format lives in tensorweave.formats."""
