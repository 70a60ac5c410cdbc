# Seed 002 §12.1.2-12.1.5 and seed 004: graphs built by hand, as TF1 users wrote them.
# Fixed only where the seed text itself is broken: `dtpe=`/`nmae=` typos, `for i inrange`,
# the init op looked up as "initer" (TF names it "init"), and the undefined `saver`.
import numpy as np
import tensorflow as tf

t = tf.add(8, 9)
print(t)

a = tf.constant([4.0, 5.0])
b = tf.constant([6.0, 7.0])
c = a * b
sess = tf.Session()
print(sess.run(c))
sess.close()

x = tf.placeholder(dtype=tf.float32, shape=[], name='x')
y = tf.placeholder(dtype=tf.float32, shape=[], name='y')
z = x * y
with tf.Session() as sess:
    prod = sess.run(z, feed_dict={x: 1., y: 5.2})
    print(prod)

a = tf.Variable(2.)
b = tf.Variable(3.)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run(a * b))

try:
    with tf.Session() as sess:
        print(sess.run(a * b))
except tf.errors.FailedPreconditionError as e:
    print("uninitialized:", str(e).splitlines()[0])

g = tf.Graph()
with g.as_default():
    input_data = tf.placeholder(tf.float32, [None, 2], "input_data")
    input_label = tf.placeholder(tf.float32, [None, 2], "input_label")
    W1 = tf.Variable(tf.truncated_normal([2, 2]), name="W1")
    B1 = tf.Variable(tf.zeros([2]), name="B1")
    output = tf.add(tf.matmul(input_data, W1), B1, name="output")
    cross_entropy = tf.nn.softmax_cross_entropy_with_logits(logits=output, labels=input_label)
    train_step = tf.train.AdamOptimizer().minimize(cross_entropy, name="train_step")
    initer = tf.global_variables_initializer()
    saver = tf.train.Saver()

numOfBatch = 5
datas = np.zeros([numOfBatch, 2], np.float32)
labels = np.zeros([numOfBatch, 2], np.float32)
sess = tf.Session(graph=g)
graph = sess.graph
sess.run([graph.get_operation_by_name("init")])
dataHolder = graph.get_tensor_by_name("input_data:0")
labelHolder = graph.get_tensor_by_name("input_label:0")
train = graph.get_operation_by_name("train_step")
out = graph.get_tensor_by_name("output:0")
import tempfile, os  # noqa: E401,E402
ckpt_dir = tempfile.mkdtemp()
for i in range(200):
    result = sess.run([out, train], feed_dict={dataHolder: datas, labelHolder: labels})
    if i % 100 == 0:
        saver.save(sess, os.path.join(ckpt_dir, "moules"))
sess.close()
print("trained; checkpoint:", tf.train.latest_checkpoint(ckpt_dir) is not None)

# Seed 004: graphs, sessions, placeholders with None dims, reshape/set_shape, scopes, AUTO_REUSE.
tf.reset_default_graph()
a = tf.constant(5.0)
b = tf.constant(6.0)
sum_ = tf.add(a, b)
print(a, b, sum_)
print(tf.get_default_graph() is a.graph is sum_.graph)
g = tf.Graph()
with g.as_default():
    c = tf.constant(30.0)
    assert c.graph is g
print(tf.constant(42.0, name="answer"))
plt = tf.placeholder(tf.float32, [None, 3])
plt.set_shape([2, 3])
print(plt.get_shape().as_list(), tf.reshape(plt, [3, 2]).get_shape().as_list())
with tf.variable_scope("name", reuse=tf.AUTO_REUSE):
    var2 = tf.get_variable(initializer=tf.random_normal([2, 3], mean=0.0, stddev=1.0),
                           name="var2")
    var3 = tf.get_variable(initializer=tf.random_normal([2, 3], mean=0.0, stddev=1.0),
                           name="var2")
print(var2.name, var3.name, var2 is var3)
with tf.Session(config=tf.ConfigProto(allow_soft_placement=True,
                                      log_device_placement=False)) as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run([sum_, plt], feed_dict={plt: [[1, 2, 3], [4, 5, 6]]}))
    print(sess.run(tf.cast(var2, tf.int32)).dtype)
