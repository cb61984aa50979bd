# -*- coding: utf-8 -*-
# The options every gov.toolchains module takes: which gov, which store,
# which mirror (module_utils/gov.py's COMMON_ARGS).

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r"""
options:
  system:
    description: Act on the system store (C(gov --system); GOV_SYSTEM_HOME, default C(/opt/gov)), as its owner.
    type: bool
    default: false
  executable:
    description: The gov binary (default C(gov) on PATH, C(/usr/local/bin), C(~/.local/bin)).
    type: path
  gov_home:
    description: GOV_HOME, the user's store.
    type: path
  system_home:
    description: GOV_SYSTEM_HOME, the system store.
    type: path
  index_url:
    description: GOV_INDEX_URL, the release index of a mirror (such as C(https://mirror/go/index.json)).
    type: str
  download_url:
    description: GOV_DOWNLOAD_URL, where the mirror's archives are.
    type: str
  source:
    description: GOV_SOURCE, C(dl) (go.dev or the mirror) or C(proxy) (Go's module proxy, proved by the checksum database).
    type: str
    choices: [dl, proxy]
  environment:
    description: More variables for gov (GOPROXY, GOSUMDB, GOV_HTTP_TIMEOUT, ...).
    type: dict
    default: {}
"""
