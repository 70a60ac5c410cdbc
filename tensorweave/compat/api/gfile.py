"""tf.gfile: TF1's file API over the local filesystem (atomic-free, like TF's local FS)."""
import glob as _glob
import os as _os
import shutil as _shutil

from tensorweave.framework import errors as _errors


class GFile:
    """File object with TF1's GFile methods (read, readline, write, size, seek...)."""

    def __init__(self, name, mode="r"):
        self._name = name
        self._mode = mode
        try:
            self._f = open(name, mode)
        except FileNotFoundError as e:
            raise _errors.NotFoundError(None, None, "%s; No such file or directory" % name) from e
        except PermissionError as e:
            raise _errors.PermissionDeniedError(None, None, "%s; Permission denied" % name) from e

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __iter__(self):
        return iter(self._f)

    def __next__(self):
        return next(self._f)

    @property
    def name(self):
        return self._name

    @property
    def mode(self):
        return self._mode

    def read(self, n=-1):
        return self._f.read(n)

    def readline(self):
        return self._f.readline()

    def readlines(self):
        return self._f.readlines()

    def write(self, data):
        return self._f.write(data)

    def flush(self):
        self._f.flush()

    def close(self):
        self._f.close()

    def seek(self, offset=None, whence=0, position=None):
        return self._f.seek(position if position is not None else offset, whence)

    def tell(self):
        return self._f.tell()

    def size(self):
        return _os.path.getsize(self._name)


Open = GFile
FastGFile = GFile


def Exists(filename):  # noqa: N802 - TF1 names
    return _os.path.exists(filename)


def IsDirectory(dirname):  # noqa: N802
    return _os.path.isdir(dirname)


def MakeDirs(dirname):  # noqa: N802
    _os.makedirs(dirname, exist_ok=True)


def MkDir(dirname):  # noqa: N802
    try:
        _os.mkdir(dirname)
    except FileExistsError as e:
        raise _errors.AlreadyExistsError(None, None, "%s; File exists" % dirname) from e


def ListDirectory(dirname):  # noqa: N802
    if not _os.path.isdir(dirname):
        raise _errors.NotFoundError(None, None, "Could not find directory %s" % dirname)
    return _os.listdir(dirname)


def Glob(filename):  # noqa: N802
    return sorted(_glob.glob(filename))


def Remove(filename):  # noqa: N802
    try:
        _os.remove(filename)
    except FileNotFoundError as e:
        raise _errors.NotFoundError(None, None, "%s; No such file or directory" % filename) from e


def DeleteRecursively(dirname):  # noqa: N802
    if not _os.path.exists(dirname):
        raise _errors.NotFoundError(None, None, "%s; No such file or directory" % dirname)
    if _os.path.isdir(dirname):
        _shutil.rmtree(dirname)
    else:
        _os.remove(dirname)


def Copy(oldpath, newpath, overwrite=False):  # noqa: N802
    if not overwrite and _os.path.exists(newpath):
        raise _errors.AlreadyExistsError(None, None, "%s; File exists" % newpath)
    _shutil.copyfile(oldpath, newpath)


def Rename(oldname, newname, overwrite=False):  # noqa: N802
    if not overwrite and _os.path.exists(newname):
        raise _errors.AlreadyExistsError(None, None, "%s; File exists" % newname)
    _os.replace(oldname, newname)


def Walk(top, in_order=True):  # noqa: N802
    for root, dirs, files in _os.walk(top, topdown=in_order):
        yield root, dirs, files


class _Stat:
    def __init__(self, path):
        st = _os.stat(path)
        self.length = st.st_size
        self.mtime_nsec = st.st_mtime_ns
        self.is_directory = _os.path.isdir(path)


def Stat(filename):  # noqa: N802
    return _Stat(filename)
