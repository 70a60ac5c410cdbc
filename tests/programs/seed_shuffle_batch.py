# Seed 000 (section 3.8): RandomShuffleQueue + 4 enqueue threads + MonitoredSession, fed by a
# one-shot iterator over Dataset.from_tensor_slices. Runs unchanged on TensorFlow 1.x.
import tensorflow as tf


def simple_shuffle_batch(source, capacity, batch_size=10):
    # 定义随机序列
    queue = tf.RandomShuffleQueue(
        capacity=capacity,
        min_after_dequeue=int(0.9 * capacity),
        shapes=source.shape,
        dtypes=source.dtype)
    # 定义enqueue过程
    enqueue = queue.enqueue(source)
    # 定义执行进程个数
    num_threads = 4
    qr = tf.train.QueueRunner(queue, [enqueue] * num_threads)
    # 声明Queue runner,使得其可以被执行
    tf.train.add_queue_runner(qr)
    # 获取数据
    return queue.dequeue_many(batch_size)


# 产生测试数据
input = tf.constant(list(range(100)))
input = tf.data.Dataset.from_tensor_slices(input)
input = input.make_one_shot_iterator().get_next()
# 定义函数
get_batch = simple_shuffle_batch(input, capacity=20)
# 定义session
with tf.train.MonitoredSession() as sess:
    while not sess.should_stop():
        print(sess.run(get_batch))
