


len


tokens


a


b