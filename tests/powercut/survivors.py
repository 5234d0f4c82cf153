#!/usr/bin/env python3
"""Builds the tree a power cut leaves, from strictfs's STORE: survivors.py STORE OUT (OUT empty).

From the root (node 1) it follows the entries each directory had at its last fsync (d<id>); a directory never
synced is empty; a file holds its content as of its last fsync (f<id>), or nothing if it was never synced.
"""
import os
import shutil
import sys


def build(store, node, out, seen):
    listing = os.path.join(store, f'd{node}')
    if node in seen or not os.path.exists(listing):
        return
    seen.add(node)
    with open(listing, encoding='utf-8') as lines:
        for line in lines:
            kind, child, mode, name = line.rstrip('\n').split(' ', 3)
            path = os.path.join(out, name)
            if kind == 'd':
                os.mkdir(path, int(mode, 8))
                build(store, int(child), path, seen)
            elif kind == 'f':
                content = os.path.join(store, f'f{child}')
                if os.path.exists(content):
                    shutil.copyfile(content, path)
                else:
                    open(path, 'wb').close()
                os.chmod(path, int(mode, 8))


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit('usage: survivors.py STORE OUT')
    build(sys.argv[1], 1, sys.argv[2], set())
